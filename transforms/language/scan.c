/* scan.py in C: count_letters() and visit_counts(), the same results without numpy's per-call
   set-up and without a Python loop over every byte; clean_words(), a span's words read once
   where split(), a filter per word and join() each went over them. scan.py is the reference;
   tests/test_language_scan.py holds the two together on every code point and against
   py3langid's own visit_counts.

   A letter, as WORD = r"[^\W\d_]+" reads it on str: a word character to CPython's sre is "_" or
   one Py_UNICODE_ISALNUM accepts, and a digit one Py_UNICODE_ISDECIMAL accepts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static PyObject *count_letters(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "count_letters() takes a str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    if (PyUnicode_READY(text) < 0) /* a legacy str (3.11 still has them) gets its kind */
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), letters = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 128) { /* ASCII: the letters are a-z and A-Z */
            letters += (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        } else {
            letters += Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
        }
    }
    return PyLong_FromSsize_t(letters);
}

/* A buffer of 32-bit integers of one signedness ("I" or "i", as array.array has them). */
static int int32_view(PyObject *obj, Py_buffer *view, char code, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->itemsize != 4 || view->format == NULL || view->format[0] != code ||
        view->format[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "visit_counts(): %s must be an array of '%c' (4 bytes)",
                     name, code);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* One more sighting of a feature; -1 on an error. */
static int count(PyObject *counts, int32_t feature) {
    PyObject *key = PyLong_FromLong(feature);
    if (key == NULL)
        return -1;
    PyObject *seen = PyDict_GetItemWithError(counts, key); /* borrowed */
    long before = seen ? PyLong_AsLong(seen) : 0;
    PyObject *after = (seen || !PyErr_Occurred()) ? PyLong_FromLong(before + 1) : NULL;
    int failed = after ? PyDict_SetItem(counts, key, after) : -1;
    Py_DECREF(key);
    Py_XDECREF(after);
    return failed;
}

static int walk(const uint32_t *nextmove, Py_ssize_t moves, const uint32_t *rowbase,
                const int32_t *output, Py_ssize_t states, const unsigned char *bytes,
                Py_ssize_t n, PyObject *counts) {
    uint32_t state = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t at = (uint64_t)rowbase[state] + bytes[i];
        if (at >= (uint64_t)moves || nextmove[at] >= (uint64_t)states) {
            PyErr_SetString(PyExc_IndexError, "visit_counts(): the automaton leaves its tables");
            return -1;
        }
        state = nextmove[at];
        if (output[state] >= 0 && count(counts, output[state]) < 0)
            return -1;
    }
    return 0;
}

static PyObject *visit_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "visit_counts(nextmove, rowbase, output, data)");
        return NULL;
    }
    Py_buffer moves, rows, outs, data;
    if (int32_view(args[0], &moves, 'I', "nextmove") < 0)
        return NULL;
    if (int32_view(args[1], &rows, 'I', "rowbase") < 0) {
        PyBuffer_Release(&moves);
        return NULL;
    }
    if (int32_view(args[2], &outs, 'i', "output") < 0) {
        PyBuffer_Release(&moves);
        PyBuffer_Release(&rows);
        return NULL;
    }
    PyObject *counts = NULL;
    if (PyObject_GetBuffer(args[3], &data, PyBUF_SIMPLE) == 0) {
        Py_ssize_t states = rows.len / 4 < outs.len / 4 ? rows.len / 4 : outs.len / 4;
        counts = (states > 0 || data.len == 0) ? PyDict_New() : NULL;
        if (counts == NULL && !PyErr_Occurred())
            PyErr_SetString(PyExc_IndexError, "visit_counts(): the automaton has no states");
        if (counts && walk(moves.buf, moves.len / 4, rows.buf, outs.buf, states, data.buf,
                           data.len, counts) < 0)
            Py_CLEAR(counts);
        PyBuffer_Release(&data);
    }
    PyBuffer_Release(&moves);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&outs);
    if (counts && PyDict_GET_SIZE(counts) == 0) {
        Py_DECREF(counts);
        Py_RETURN_NONE;
    }
    return counts;
}

/* One word, text[start:end), is kept unless it is a hashtag or handle, or holds a "." or "@"
   that noise.search() finds something in: 1 kept, 0 not, -1 an error is set. */
static int keep_word(PyObject *text, Py_ssize_t start, Py_ssize_t end, int marked,
                     PyObject *search) {
    Py_UCS4 first = PyUnicode_READ_CHAR(text, start);
    if (first == '#' || first == '@')
        return 0;
    if (!marked)
        return 1;
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (word == NULL)
        return -1;
    PyObject *found = PyObject_CallOneArg(search, word);
    Py_DECREF(word);
    if (found == NULL)
        return -1;
    int keep = found == Py_None;
    Py_DECREF(found);
    return keep;
}

/* scan.py's clean_words(): the words read once, the kept ones copied into one buffer. */
static PyObject *clean_words(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "clean_words(text: str, noise: re.Pattern)");
        return NULL;
    }
    PyObject *text = args[0];
    if (PyUnicode_READY(text) < 0)
        return NULL;
    PyObject *search = PyObject_GetAttrString(args[1], "search");
    if (search == NULL)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), size = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 *out = PyMem_New(Py_UCS4, n > 0 ? n : 1);
    if (out == NULL) {
        Py_DECREF(search);
        return PyErr_NoMemory();
    }
    Py_ssize_t i = 0;
    while (i < n) {
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        int marked = 0;
        for (; j < n; j++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (Py_UNICODE_ISSPACE(c))
                break;
            marked |= c == '.' || c == '@';
        }
        int keep = keep_word(text, i, j, marked, search);
        if (keep < 0) {
            PyMem_Free(out);
            Py_DECREF(search);
            return NULL;
        }
        if (keep) {
            if (size > 0)
                out[size++] = ' ';
            for (Py_ssize_t k = i; k < j; k++)
                out[size++] = PyUnicode_READ(kind, data, k);
        }
        i = j;
    }
    Py_DECREF(search);
    /* narrowed to the kind its widest character needs, as every str is */
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, size);
    PyMem_Free(out);
    return result;
}

static PyMethodDef methods[] = {
    {"count_letters", count_letters, METH_O,
     "count_letters(text) -> int: the characters scan.py's WORD matches."},
    {"visit_counts", (PyCFunction)(void (*)(void))visit_counts, METH_FASTCALL,
     "visit_counts(nextmove, rowbase, output, data) -> {feature: count} or None."},
    {"clean_words", (PyCFunction)(void (*)(void))clean_words, METH_FASTCALL,
     "clean_words(text, noise) -> str: scan.py's clean_words()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "scan", "scan.py's functions in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit_scan(void) { return PyModule_Create(&module); }
