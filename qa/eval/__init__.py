"""Evaluation against the gold Q&A set: ``qa eval`` and the figures it reports.

Modules: ``gold`` (the cases), ``runner`` (asking them in-process or over HTTP),
``metrics`` (EM/F1, recall, calibration, summaries), ``report`` and ``plots`` (the
output), ``floors`` (the regression guard), ``cli`` (the command). Kept import-light:
the command line imports ``qa.eval.cli`` at start-up.
"""
