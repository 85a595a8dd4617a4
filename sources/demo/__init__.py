"""The demo generator, the registries' counterpart of waterfall/fake: synthetic registry data, one
coherent business universe (`universe.build_universe`) and writers that render it in each
registry's real published format (`sirene.write_sirene_stock`, INPI and BODACC writers in their
own modules). It is the one package of sources/ that imports the others (their column lists)."""

from sources.demo.universe import Universe, build_universe

__all__ = ["Universe", "build_universe"]
