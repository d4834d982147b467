"""Plain-Python rules of the library, testable without HTTP."""
