"""Stage 6, generate: the site's files from the site data.

layout (every output path and URL) → data (the site data, gathered in full
before anything renders) → views (plain dicts for templates) → render
(Jinja2, Markdown) → generators (one module per kind of output file).
"""
