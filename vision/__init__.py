"""Product understanding: one image trunk, one embedding space, many heads (GrokNet-style).

Plain torch/numpy/Pillow; never imports Django. Importing the package is cheap (no torch):
heavy modules are imported where they are used.
"""
