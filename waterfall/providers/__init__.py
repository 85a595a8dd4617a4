"""Contact-enrichment provider adapters: one module per vendor, all honouring `base.Provider`.

`registry.build_provider(name, client)` builds one from its `FIRMO_<NAME>_API_KEY`; `pattern` is
the built-in, account-free guesser that asks a verifier provider about French address patterns.
"""
