"""jobber_lab: fault-tolerant concurrency the way Erlang/OTP does it, in Python threads.

Layers (imports point down only): ``widgets`` -> ``draw`` -> ``trace`` -> ``jobber`` -> ``otp``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
