/* fold_scan.py's fold_words() in C: one pass over a lower-cased text, where the topic matcher's
   normalise() ran two regex substitutions over it (~100 µs a bench article of ~2.6 KB, its text
   and its title). fold_scan.py is the reference; tests/test_fold_scan.py holds the two together
   on every code point.

   A word character, as CPython's sre reads \w on str: "_" or one Py_UNICODE_ISALNUM accepts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define FIRST 0xC0 /* fold_scan.py's FIRST: the code point table[0] folds */

static inline int is_word(Py_UCS4 c) {
    if (c < 128)
        return (c | 0x20) - 'a' < 26u || c - '0' < 10u || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t size;
} Table;

static inline Py_UCS4 fold_one(Py_UCS4 c, const Table *t) {
    if (c >= FIRST && c - FIRST < (Py_UCS4)t->size)
        c = PyUnicode_READ(t->kind, t->data, c - FIRST);
    return c == ' ' || is_word(c) ? c : ' ';
}

static PyObject *fold_words(PyObject *module, PyObject *args) {
    PyObject *text, *table;
    if (!PyArg_ParseTuple(args, "UU:fold_words", &text, &table))
        return NULL;
    if (PyUnicode_READY(text) < 0 || PyUnicode_READY(table) < 0)
        return NULL;
    Table t = {PyUnicode_KIND(table), PyUnicode_DATA(table), PyUnicode_GET_LENGTH(table)};
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    /* A str must be stored in the narrowest kind its characters fit (equality compares kinds
       first), and folding can narrow it: the widest output character first. */
    Py_UCS4 widest = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = fold_one(PyUnicode_READ(kind, data, i), &t);
        if (c > widest)
            widest = c;
    }
    PyObject *out = PyUnicode_New(n, widest);
    if (out == NULL)
        return NULL;
    int out_kind = PyUnicode_KIND(out);
    void *out_data = PyUnicode_DATA(out);
    for (Py_ssize_t i = 0; i < n; i++)
        PyUnicode_WRITE(out_kind, out_data, i, fold_one(PyUnicode_READ(kind, data, i), &t));
    return out;
}

static PyMethodDef methods[] = {
    {"fold_words", fold_words, METH_VARARGS,
     "fold_words(text, table) -> str: fold_scan.py's fold_words()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "fold_scan", "fold_scan.py's fold_words() in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_fold_scan(void) {
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "FIRST", FIRST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
