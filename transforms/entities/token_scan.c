/* token_scan.py's matches() and marked() in C: the same tokens and offsets, without the regex
   engine and the str.find that places each of its strings; and the tokens tokens.py may split,
   found in the same pass instead of by a second pattern over the text. On 200 bench articles of ~2.6 KB, tag_entities runs
   16% fewer instructions (callgrind, README "Compiled modules"). token_scan.py is the reference;
   tests/test_token_scan.py holds the two to the pattern's output for every code point.

   TOKEN_RE, r"\w+(?:['’]\w+)*['’]?|[^\w\s]", as re reads it on str: a word character is "_" or
   one Py_UNICODE_ISALNUM accepts, a space one Py_UNICODE_ISSPACE accepts (CPython's sre uses
   these two). Nothing after a match can fail it, so its greedy reading is the whole match. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static inline int is_word(Py_UCS4 c) { return c == '_' || Py_UNICODE_ISALNUM(c); }

static inline int is_apostrophe(Py_UCS4 c) { return c == '\'' || c == 0x2019; }

/* Where the match that starts at i, a character that is no space, ends. */
static Py_ssize_t match_end(int kind, const void *data, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i + 1;
    if (!is_word(PyUnicode_READ(kind, data, i)))
        return j; /* [^\w\s] */
    while (j < n && is_word(PyUnicode_READ(kind, data, j)))
        j++;
    while (j + 1 < n && is_apostrophe(PyUnicode_READ(kind, data, j)) &&
           is_word(PyUnicode_READ(kind, data, j + 1))) {
        j += 2;
        while (j < n && is_word(PyUnicode_READ(kind, data, j)))
            j++;
    }
    if (j < n && is_apostrophe(PyUnicode_READ(kind, data, j)))
        j++;
    return j;
}

/* (text[start:end], start, end) appended to out; -1 on an error. */
static int append_token(PyObject *out, PyObject *text, Py_ssize_t start, Py_ssize_t end) {
    PyObject *word = PyUnicode_Substring(text, start, end);
    PyObject *first = PyLong_FromSsize_t(start);
    PyObject *last = PyLong_FromSsize_t(end);
    PyObject *token = (word && first && last) ? PyTuple_Pack(3, word, first, last) : NULL;
    Py_XDECREF(word);
    Py_XDECREF(first);
    Py_XDECREF(last);
    if (token == NULL)
        return -1;
    int failed = PyList_Append(out, token);
    Py_DECREF(token);
    return failed;
}

static PyObject *matches(PyObject *module, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "matches() takes a str, not %.100s", Py_TYPE(text)->tp_name);
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
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
            i++;
            continue;
        }
        Py_ssize_t j = match_end(kind, data, n, i);
        if (append_token(out, text, i, j) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        i = j;
    }
    return out;
}

/* The Latin letters of tokens.py's glue rule: [a-zà-öø-ÿ] and [A-ZÀ-ÖØ-Þ]. */
static inline int is_small(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFF && c != 0xF7);
}

static inline int is_capital(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7);
}

/* The token [i, j) holds an apostrophe, or a capital glued between two small letters and one
   ("anniversaryChina"): those five letters are word characters, so all of them lie in it. */
static int holds_mark(int kind, const void *data, Py_ssize_t i, Py_ssize_t j) {
    for (Py_ssize_t p = i; p < j; p++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        if (is_apostrophe(c))
            return 1;
        if (p >= i + 2 && p + 1 < j && is_capital(c) &&
            is_small(PyUnicode_READ(kind, data, p - 1)) &&
            is_small(PyUnicode_READ(kind, data, p - 2)) &&
            is_small(PyUnicode_READ(kind, data, p + 1)))
            return 1;
    }
    return 0;
}

/* out gets each token's index when it holds a mark; -1 on an error. */
static int append_index(PyObject *out, Py_ssize_t k) {
    PyObject *index = PyLong_FromSsize_t(k);
    int failed = index ? PyList_Append(out, index) : -1;
    Py_XDECREF(index);
    return failed;
}

static PyObject *marked(PyObject *module, PyObject *text) {
    PyObject *tokens = matches(module, text);
    if (tokens == NULL)
        return NULL;
    PyObject *found = PyList_New(0);
    if (found == NULL) {
        Py_DECREF(tokens);
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *token = PyList_GET_ITEM(tokens, k);
        Py_ssize_t i = PyLong_AsSsize_t(PyTuple_GET_ITEM(token, 1));
        Py_ssize_t j = PyLong_AsSsize_t(PyTuple_GET_ITEM(token, 2));
        if (holds_mark(kind, data, i, j) && append_index(found, k) < 0) {
            Py_DECREF(tokens);
            Py_DECREF(found);
            return NULL;
        }
    }
    PyObject *pair = PyTuple_Pack(2, tokens, found);
    Py_DECREF(tokens);
    Py_DECREF(found);
    return pair;
}

/* str.isupper() on data[0:n): a cased character, and none in lower or title case (one
   character alone: Py_UNICODE_ISUPPER, as str.isupper() reads it). */
static int is_upper(int kind, const void *data, Py_ssize_t n) {
    if (n == 1)
        return Py_UNICODE_ISUPPER(PyUnicode_READ(kind, data, 0));
    int cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISLOWER(c) || Py_UNICODE_ISTITLE(c))
            return 0;
        cased |= Py_UNICODE_ISUPPER(c);
    }
    return cased;
}

/* The word is not its own key: see token_scan.py's joined_keys(). */
static int needs_key(PyObject *word) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    if (n == 0)
        return 0;
    Py_UCS4 first = PyUnicode_READ(kind, data, 0);
    if (PyUnicode_READ(kind, data, n - 1) == '\'' || (first >= 0x400 && first <= 0x4FF))
        return 1;
    if (kind != PyUnicode_1BYTE_KIND)
        for (Py_ssize_t i = 0; i < n; i++)
            if (PyUnicode_READ(kind, data, i) == 0x2019)
                return 1;
    return is_upper(kind, data, n);
}

/* token_scan.py's joined_keys(): the keys in a list between two empty strings, joined. */
static PyObject *joined_keys(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "joined_keys(tokens: list, key_of: callable)");
        return NULL;
    }
    PyObject *tokens = args[0], *key_of = args[1];
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    if (n == 0) /* no key: the two framing spaces, as " " + "" + " " */
        return PyUnicode_FromString("  ");
    PyObject *keys = PyList_New(n + 2);
    if (keys == NULL)
        return NULL;
    PyObject *empty = PyUnicode_New(0, 0);
    if (empty == NULL)
        goto error;
    PyList_SET_ITEM(keys, 0, Py_NewRef(empty));
    PyList_SET_ITEM(keys, n + 1, empty);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *token = PyList_GET_ITEM(tokens, k);
        PyObject *word = PyTuple_Check(token) && PyTuple_GET_SIZE(token) > 0
                             ? PyTuple_GET_ITEM(token, 0)
                             : NULL;
        if (word == NULL || !PyUnicode_Check(word) || PyUnicode_READY(word) < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a token is a tuple whose first item is a str");
            goto error;
        }
        PyObject *key = needs_key(word) ? PyObject_CallOneArg(key_of, word) : Py_NewRef(word);
        if (key == NULL)
            goto error;
        PyList_SET_ITEM(keys, k + 1, key); /* a list past k + 1 still holds NULL: not yet read */
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "key_of gave a %.100s, not a str",
                         Py_TYPE(key)->tp_name);
            goto error;
        }
    }
    PyObject *space = PyUnicode_FromOrdinal(' ');
    if (space == NULL)
        goto error;
    PyObject *joined = PyUnicode_Join(space, keys);
    Py_DECREF(space);
    Py_DECREF(keys);
    return joined;
error:
    Py_DECREF(keys);
    return NULL;
}

static PyMethodDef methods[] = {
    {"matches", matches, METH_O,
     "matches(text) -> [(token, start, end)]: every match of token_scan.py's TOKEN_RE."},
    {"marked", marked, METH_O,
     "marked(text) -> (matches(text), [index of each token that holds a mark])."},
    {"joined_keys", (PyCFunction)(void (*)(void))joined_keys, METH_FASTCALL,
     "joined_keys(tokens, key_of) -> str: token_scan.py's joined_keys()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "token_scan", "token_scan.py's functions in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit_token_scan(void) { return PyModule_Create(&module); }
