"""The classes followed in this process: one feed of each, shared by all its followers here,
subscribed to the hub while one of them follows (losslab.session.class_hub)."""

from losslab.session.class_hub import class_hub
from losslab.session.classroom import ClassFeed
from losslab.views.class_picture import ClassPicture


class ProcessFeed:
    """A class as this process's followers take it: its feed, its hub subscription, the
    followers, and the stream's picture (made when a follower's stream first asks for it)."""

    def __init__(self, tabs):
        self.feed = ClassFeed(tabs)
        self.subscription = None
        self.followers = set()
        self._picture = None

    def picture(self):
        if self._picture is None:
            self._picture = ClassPicture(self.feed.lab)
        return self._picture.picture(self.feed.seq)


_FEEDS = {}
"""code → this process's ProcessFeed of that class."""


async def feed(code, tabs):
    """This process's feed of class `code`, subscribed to the hub on first use."""
    if code not in _FEEDS:
        entry = _FEEDS[code] = ProcessFeed(tabs)

        def deliver(message):
            if message.get("kind") == "ended":  # the hub has let go of its followers
                _FEEDS.pop(code, None)
            if entry.feed.receive(message):
                for follower in list(entry.followers):
                    follower.class_changed()

        try:
            entry.subscription = await class_hub().follow(code, deliver)
        except Exception:
            _FEEDS.pop(code, None)
            raise
    return _FEEDS[code]


def leave(code, follower):
    entry = _FEEDS.get(code)
    if entry is None:
        return
    entry.followers.discard(follower)
    if not entry.followers:  # the last follower of this process: the feed goes
        _FEEDS.pop(code, None)
        if entry.subscription is not None:
            entry.subscription.close()
