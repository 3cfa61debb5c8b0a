"""One PostgreSQL instance per project and per branch (the data plane of the local API).

``template``: the initialised data directory every instance is copied from; ``instance``: one
instance (its data dir, port, socket, start/stop); ``manager``: the instances of the local API
(create, drop, pause, resize, scale to zero, reconcile on start); ``pools``: the API's own
connections to them; ``sizes``: the settings per compute size.
"""
