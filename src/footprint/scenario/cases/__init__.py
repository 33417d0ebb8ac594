"""The bundled cases: scenario files shipped inside the package, runnable by name (``bundled``)."""
