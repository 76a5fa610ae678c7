"""`pcplan lsp`: pcplan's findings, rule explanations, definitions, completion and quick fixes in any editor
that speaks the Language Server Protocol (docs/editors.md).

Modules: ``server`` (pygls wiring, debouncing), ``transport`` (the editor's messages read with every length
bounded, malformed ones answered), ``options`` (initialization options checked), ``diagnostics`` (a check of
the editor's text),
``positions`` (1-based columns ↔ LSP's UTF-16 positions), ``workspace`` (which files are case files, and
the member's record around one), ``syntax`` (the field under the cursor, read from the lines),
``references`` (which fields hold ids, and what each id names), ``hover``, ``completion``, ``edits`` and
``actions`` (quick fixes as edits the editor applies).
"""
