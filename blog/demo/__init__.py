"""Demo content: the KubeCon + CloudNativeCon North America 2022 combined report.

`content` holds the facts and the Japanese text, `pictures` draws the photos,
`loader.load_demo()` puts everything into the database (run `manage.py load_demo`).
"""
