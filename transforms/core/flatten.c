/* flatten.py's plain_fields() in C: an enriched article's ~250 values checked and its records made
   plain tuples in one pass, where the compiled Python walk took ~30-45 µs an article (bench
   texts), three times a batch run (two spills and the writer's rows); and records(), the
   article made again from marshal's tuples without a Python call per entity. flatten.py is the
   reference; tests/test_flatten.py holds the two together. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* marshal writes these back as themselves (exact types only: a subclass comes back as its base,
   a numpy float as its buffer's bytes). */
static inline int is_leaf(PyObject *v) {
    PyTypeObject *t = Py_TYPE(v);
    return t == &PyUnicode_Type || t == &PyLong_Type || t == &PyFloat_Type ||
           t == &PyBool_Type || v == Py_None || t == &PyBytes_Type;
}

/* 1: every value is a leaf, in exact tuples and lists; 0: one is not; -1: an error is set. */
static int plain(PyObject *v) {
    if (is_leaf(v))
        return 1;
    int tuple = PyTuple_CheckExact(v);
    if (!tuple && !PyList_CheckExact(v))
        return 0;
    if (Py_EnterRecursiveCall(" in plain_fields"))
        return -1;
    int ok = 1;
    /* nothing here runs Python code, so a list cannot change size while it is read */
    Py_ssize_t n = tuple ? PyTuple_GET_SIZE(v) : PyList_GET_SIZE(v);
    for (Py_ssize_t i = 0; i < n && ok == 1; i++)
        ok = plain(tuple ? PyTuple_GET_ITEM(v, i) : PyList_GET_ITEM(v, i));
    Py_LeaveRecursiveCall();
    return ok;
}

/* One (index, cls, none_ok) of `nested`, its index checked against a record of `size` fields:
   0 read, -1 an error is set. */
static int read_spec(PyObject *spec, Py_ssize_t size, Py_ssize_t *index, PyObject **cls,
                     int *none_ok) {
    if (!PyTuple_Check(spec) ||
        !PyArg_ParseTuple(spec, "nO!p;nested holds (index, cls, none_ok)", index, &PyType_Type,
                          cls, none_ok))
        return -1;
    if (*index < 0 || *index >= size) {
        PyErr_Format(PyExc_IndexError, "nested index %zd is not a field of the record", *index);
        return -1;
    }
    return 0;
}

/* The field `spec` names, made a tuple of plain tuples in out[index]: 1 done (or None allowed),
   0 not as spec says, -1 an error is set. */
static int flatten_nested(PyObject *record, PyObject *out, PyObject *spec) {
    Py_ssize_t index;
    PyObject *cls;
    int none_ok;
    if (read_spec(spec, PyTuple_GET_SIZE(record), &index, &cls, &none_ok) < 0)
        return -1;
    PyObject *value = PyTuple_GET_ITEM(record, index);
    if (value == Py_None && none_ok)
        return 1;
    if (!PyTuple_CheckExact(value))
        return 0;
    Py_ssize_t n = PyTuple_GET_SIZE(value);
    PyObject *rows = PyTuple_New(n);
    if (rows == NULL)
        return -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *r = PyTuple_GET_ITEM(value, k);
        if (Py_TYPE(r) != (PyTypeObject *)cls) {
            Py_DECREF(rows);
            return 0;
        }
        /* a slice of a tuple subclass is a plain tuple of the same items */
        PyObject *row = PyTuple_GetSlice(r, 0, PyTuple_GET_SIZE(r));
        if (row == NULL) {
            Py_DECREF(rows);
            return -1;
        }
        PyTuple_SET_ITEM(rows, k, row);
    }
    PyObject *old = PyTuple_GET_ITEM(out, index); /* out is new: no one else holds it yet */
    PyTuple_SET_ITEM(out, index, rows);
    Py_DECREF(old);
    return 1;
}

static PyObject *plain_fields(PyObject *module, PyObject *args) {
    PyObject *record, *nested;
    if (!PyArg_ParseTuple(args, "O!O!:plain_fields", &PyTuple_Type, &record, &PyTuple_Type,
                          &nested))
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(record);
    PyObject *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(out, i, Py_NewRef(PyTuple_GET_ITEM(record, i)));
    int ok = 1;
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(nested) && ok == 1; s++)
        ok = flatten_nested(record, out, PyTuple_GET_ITEM(nested, s));
    if (ok == 1)
        ok = plain(out);
    if (ok == 1)
        return out;
    Py_DECREF(out);
    if (ok < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A new record of cls (a tuple subclass: a NamedTuple) holding items' items, as
   tuple.__new__(cls, items) makes it. */
static PyObject *new_record(PyTypeObject *cls, PyObject *items) {
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    PyObject *record = cls->tp_alloc(cls, n);
    if (record == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(record, i, Py_NewRef(PyTuple_GET_ITEM(items, i)));
    return record;
}

static int is_tuple_type(PyObject *cls) {
    if (PyType_Check(cls) && PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type))
        return 1;
    PyErr_SetString(PyExc_TypeError, "records are made of a subclass of tuple");
    return 0;
}

/* The field `spec` names, its plain tuples made records in values[index]: 0 done, -1 an error
   is set. */
static int rebuild_nested(PyObject *values, PyObject *spec) {
    Py_ssize_t index;
    PyObject *cls;
    int none_ok;
    if (read_spec(spec, PyList_GET_SIZE(values), &index, &cls, &none_ok) < 0 ||
        !is_tuple_type(cls))
        return -1;
    PyObject *rows = PyList_GET_ITEM(values, index);
    if (rows == Py_None && none_ok)
        return 0;
    if (!PyTuple_CheckExact(rows)) {
        PyErr_SetString(PyExc_TypeError, "a nested field is a tuple of tuples");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(rows);
    PyObject *made = PyTuple_New(n);
    if (made == NULL)
        return -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *row = PyTuple_GET_ITEM(rows, k);
        PyObject *record = PyTuple_CheckExact(row) ? new_record((PyTypeObject *)cls, row) : NULL;
        if (record == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a nested field is a tuple of tuples");
            Py_DECREF(made);
            return -1;
        }
        PyTuple_SET_ITEM(made, k, record);
    }
    return PyList_SetItem(values, index, made); /* steals made, drops the plain rows */
}

static PyObject *records(PyObject *module, PyObject *args) {
    PyObject *fields, *nested, *cls;
    if (!PyArg_ParseTuple(args, "O!O!O:records", &PyTuple_Type, &fields, &PyTuple_Type, &nested,
                          &cls) ||
        !is_tuple_type(cls))
        return NULL;
    PyObject *values = PySequence_List(fields);
    if (values == NULL)
        return NULL;
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(nested); s++)
        if (rebuild_nested(values, PyTuple_GET_ITEM(nested, s)) < 0) {
            Py_DECREF(values);
            return NULL;
        }
    PyObject *items = PyList_AsTuple(values);
    Py_DECREF(values);
    if (items == NULL)
        return NULL;
    PyObject *record = new_record((PyTypeObject *)cls, items);
    Py_DECREF(items);
    return record;
}

static PyMethodDef methods[] = {
    {"plain_fields", plain_fields, METH_VARARGS,
     "plain_fields(record, nested) -> tuple | None: flatten.py's plain_fields()."},
    {"records", records, METH_VARARGS,
     "records(fields, nested, cls) -> cls: flatten.py's records()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "flatten", "flatten.py's functions in C.", -1, methods,
};

PyMODINIT_FUNC PyInit_flatten(void) { return PyModule_Create(&module); }
