"""The one home of everything that touches Rasa's internals.

Rasa 3.6 offers no hooks for what this assistant changes in it, so these modules
patch or subclass its private parts; a Rasa upgrade must be checked here and
nowhere else:

* ``tracker_store`` and ``lock_store``: the SQL tracker store and the Redis lock
  store named in ``endpoints.yml`` / ``deploy/endpoints.prod.yml``;
* ``events``: the one reader of the tracker store's ``events`` table, used by
  analytics, the owner page, the chat records, retention, the trainer's inbox and
  the demo data;
* the patches, applied by :func:`install` once per process (``patching``: each is
  keyed and recorded on the class it changes; ``channels/__init__.py`` calls it, since
  Rasa imports that package for ``credentials.yml``): log masking, an apology when
  a custom action fails (``resilience``), admin JWTs must carry ``exp``
  (``api_auth``), answers while a buyer waits for a person (``handoff_wait``), the
  second question of a message answered too (``second_question``), a profiled
  hot spot (``speedups``) and work per message that does not grow with the
  conversation (``long_conversations``).

:func:`check_rasa_version` refuses to start on any Rasa but 3.6.x, for which the
patches were written and tested.
"""

from __future__ import annotations

SUPPORTED = "3.6."


class UnsupportedRasaError(RuntimeError):
    """The installed Rasa is not the 3.6 series these extensions were written for."""


def check_rasa_version(version: str | None = None) -> None:
    """Raises :class:`UnsupportedRasaError` unless Rasa (or ``version``) is 3.6.x."""
    if version is None:
        from rasa.version import __version__

        version = str(__version__)
    if not version.startswith(SUPPORTED):
        raise UnsupportedRasaError(
            f"rasa_ext patches Rasa {SUPPORTED}x internals, but Rasa {version} is installed: "
            "check every module of rasa_ext against the new version before changing the pin"
        )


def install() -> None:
    """Checks the Rasa version, then applies every patch (each one is idempotent)."""
    check_rasa_version()
    from rasa_ext.api_auth import install as install_api_auth
    from rasa_ext.handoff_wait import install as install_handoff_wait
    from rasa_ext.long_conversations import install as install_long_conversations
    from rasa_ext.resilience import install as install_resilience
    from rasa_ext.second_question import install as install_second_question
    from rasa_ext.speedups import install as install_speedups
    from shop.masking import install as install_log_masking

    install_log_masking()
    install_resilience()
    install_api_auth()
    install_handoff_wait()
    install_second_question()
    install_speedups()
    install_long_conversations()
