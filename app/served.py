"""The lab for `panel serve`: `panel serve "$(python -m losslab.served)"` serves it, titled
LossLab, one lab per browser tab, each released when its tab closes.

Run as a script (`python -m losslab.served`), it prints its own path, for that command line.
"""

if __name__ == "__main__":
    print(__file__)
else:
    from losslab.server.serving import create_session_app

    create_session_app().servable()
