/* word_scan.py's words() in C: the runs of r"\w+" without the regex engine's set-up per match
   (a bench article's ~400 words). word_scan.py is the reference; tests/test_word_scan.py holds
   the two together on every code point.

   A word character, as CPython's sre reads \w on str: "_" or one Py_UNICODE_ISALNUM accepts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static inline int is_word(Py_UCS4 c) {
    if (c < 128)
        return (c | 0x20) - 'a' < 26u || c - '0' < 10u || c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static PyObject *words(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "words() takes a str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) /* a legacy str (3.11 still has them) gets its kind */
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && is_word(PyUnicode_READ(kind, data, j)))
            j++;
        PyObject *word = PyUnicode_Substring(text, i, j);
        if (word == NULL || PyList_Append(out, word) < 0) {
            Py_XDECREF(word);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(word);
        i = j;
    }
    return out;
}

static PyMethodDef methods[] = {
    {"words", words, METH_O, "words(text) -> [str]: every run of word_scan.py's WORD_RE."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "word_scan", "word_scan.py's words() in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_word_scan(void) { return PyModule_Create(&module); }
