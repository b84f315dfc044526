/* space_scan.py's fold_spaces() in C: identity.normalise_text's typographic folds and its white
   space collapse in one pass over a text, where a regex with a Python callback per match and
   split() + join() took ~70 µs a bench text of ~2.6 KB (the text is normalised twice an
   article: its content hash and its MinHash words). space_scan.py is the reference;
   tests/test_space_scan.py holds the two together on every code point.

   White space as str.split() reads it: Py_UNICODE_ISSPACE. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_FOLDS 64

typedef struct {
    Py_UCS4 from[MAX_FOLDS];
    Py_UCS4 to[MAX_FOLDS]; /* (Py_UCS4)-1: the character goes */
    Py_ssize_t n;
    Py_UCS4 lowest; /* no fold below it: most characters skip the search */
} Folds;

/* folds {str: str} -> f: each key one character, each value one character or none. */
static int read_folds(PyObject *folds, Folds *f) {
    f->n = 0;
    f->lowest = 0x110000;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (PyDict_GET_SIZE(folds) > MAX_FOLDS) {
        PyErr_Format(PyExc_ValueError, "at most %d folds", MAX_FOLDS);
        return -1;
    }
    while (PyDict_Next(folds, &pos, &key, &value)) {
        if (!PyUnicode_Check(key) || !PyUnicode_Check(value) || PyUnicode_READY(key) < 0 ||
            PyUnicode_READY(value) < 0 || PyUnicode_GET_LENGTH(key) != 1 ||
            PyUnicode_GET_LENGTH(value) > 1) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError,
                                "folds map one character to one character or to none");
            return -1;
        }
        Py_UCS4 from = PyUnicode_READ_CHAR(key, 0);
        f->from[f->n] = from;
        f->to[f->n] = PyUnicode_GET_LENGTH(value) ? PyUnicode_READ_CHAR(value, 0) : (Py_UCS4)-1;
        if (from < f->lowest)
            f->lowest = from;
        f->n++;
    }
    return 0;
}

static inline Py_UCS4 fold_one(Py_UCS4 c, const Folds *f) {
    if (c < f->lowest)
        return c;
    for (Py_ssize_t k = 0; k < f->n; k++)
        if (f->from[k] == c)
            return f->to[k];
    return c;
}

static PyObject *fold_spaces(PyObject *module, PyObject *args) {
    PyObject *text, *folds;
    if (!PyArg_ParseTuple(args, "UO!:fold_spaces", &text, &PyDict_Type, &folds))
        return NULL;
    Folds f;
    if (PyUnicode_READY(text) < 0 || read_folds(folds, &f) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), size = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 *out = PyMem_New(Py_UCS4, n > 0 ? n : 1);
    if (out == NULL)
        return PyErr_NoMemory();
    int space = 0; /* white space since the last character written */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = fold_one(PyUnicode_READ(kind, data, i), &f);
        if (c == (Py_UCS4)-1)
            continue;
        if (Py_UNICODE_ISSPACE(c)) {
            space = 1;
            continue;
        }
        if (space && size > 0)
            out[size++] = ' ';
        space = 0;
        out[size++] = c;
    }
    /* narrowed to the kind its widest character needs, as every str is */
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size);
    PyMem_Free(out);
    return result;
}

static PyMethodDef methods[] = {
    {"fold_spaces", fold_spaces, METH_VARARGS,
     "fold_spaces(text, folds) -> str: space_scan.py's fold_spaces()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "space_scan", "space_scan.py's fold_spaces() in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_space_scan(void) { return PyModule_Create(&module); }
