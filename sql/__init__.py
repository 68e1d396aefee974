"""The SQL models (marts/) and analysts' example queries (examples/), shipped as
package data so that an installed wheel carries them; read with importlib.resources."""
