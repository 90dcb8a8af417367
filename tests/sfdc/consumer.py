"""A Salesforce streaming consumer as a user would write it with the published aiosfstream-ng,
pointed at `feedctl serve --salesforce`. Prints each received message as one JSON line, and
exits after COUNT of them.

usage: consumer.py BASE_URL CHANNEL COUNT MODE [ARG]
  MODE all            replay=ReplayOption.ALL_EVENTS
  MODE new            replay=ReplayOption.NEW_EVENTS
  MODE shelve PATH    replay=shelve.open(PATH): stored markers, new events when none
  MODE default PATH   replay=DefaultMappingStorage(shelve.open(PATH), ALL_EVENTS)
  MODE expired ID     replay={CHANNEL: ReplayMarker(date, ID)} with replay_fallback=ALL_EVENTS
Credentials come from SFDC_CLIENT_ID, SFDC_CLIENT_SECRET, SFDC_USERNAME, SFDC_PASSWORD.
CONNECTION_TIMEOUT=none sets connection_timeout=None (the notes' known defect with others).
"""

import asyncio
import json
import os
import shelve
import sys

from aiosfstream_ng import (Client, DefaultMappingStorage, PasswordAuthenticator,
                            ReplayMarker, ReplayOption)


class LocalAuthenticator(PasswordAuthenticator):
    """The documented way to point aiosfstream at another login host."""

    def __init__(self, base_url, **kwargs):
        super().__init__(**kwargs)
        self._base_url = base_url

    @property
    def _token_url(self):
        return self._base_url + "/services/oauth2/token"


async def main():
    base_url, channel, count, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    arg = sys.argv[5] if len(sys.argv) > 5 else None
    store = None
    fallback = None
    if mode == "all":
        replay = ReplayOption.ALL_EVENTS
    elif mode == "new":
        replay = ReplayOption.NEW_EVENTS
    elif mode == "shelve":
        store = shelve.open(arg)
        replay = store
    elif mode == "default":
        store = shelve.open(arg)
        replay = DefaultMappingStorage(store, ReplayOption.ALL_EVENTS)
    elif mode == "expired":
        replay = {channel: ReplayMarker(date="2020-01-01T00:00:00.000Z", replay_id=int(arg))}
        fallback = ReplayOption.ALL_EVENTS
    else:
        raise SystemExit(f"unknown mode {mode}")
    timeout = None if os.environ.get("CONNECTION_TIMEOUT") == "none" else 10.0
    auth = LocalAuthenticator(
        base_url,
        consumer_key=os.environ["SFDC_CLIENT_ID"],
        consumer_secret=os.environ["SFDC_CLIENT_SECRET"],
        username=os.environ["SFDC_USERNAME"],
        password=os.environ["SFDC_PASSWORD"],
    )
    client = Client(auth, replay=replay, replay_fallback=fallback, connection_timeout=timeout)
    await client.open()
    await client.subscribe(channel)
    print(json.dumps({"subscribed": channel}), flush=True)
    received = 0
    async for message in client:
        print(json.dumps(message), flush=True)
        received += 1
        if received >= count:
            break
    await client.close()
    if store is not None:
        store.close()


asyncio.run(main())
