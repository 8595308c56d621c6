"""Detector plug-ins: one module per detector ``type`` with its config model and a registered factory.

Every module here is imported by :func:`anfang.plugins.discover` (so keep them cheap: import the model
runtime inside the factory). The factory is called as ``factory(cfg, models_dir)`` and returns a
:class:`~anfang.vision.base.Detector`. A config model sets ``needs_model_pack = True`` when its detector
loads files from the model pack (``anfang run`` builds the pack first then).
"""
