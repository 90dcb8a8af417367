"""hopeit.engine's own consumer code draining a stream, for bench/redis.sh (run in the venv of
.ci/run): RedisStreamManager.ensure_consumer_group, then read_stream (XREADGROUP, decode and
validate each entry into its dataobject) and ack_read_stream (XACK) per event, as the engine's
STREAM loop does, without an app's handler. Prints the entries drained per second.

Usage: python bench/hopeit_drain.py redis://HOST:PORT STREAM GROUP N [BATCH=100]
"""

import asyncio
import sys
import time

import redis.asyncio as aioredis
from hopeit.dataobjects import dataclass, dataobject
from hopeit.redis_streams import RedisStreamManager
from hopeit.server.config import StreamsConfig


@dataobject
@dataclass
class Msg:
    text: str
    n: int


async def main(url: str, stream: str, group: str, n: int, batch: int) -> None:
    RedisStreamManager.setup_connection_factory(lambda address: aioredis.Redis.from_url(address))
    mgr = await RedisStreamManager(address=url).connect(StreamsConfig())
    await mgr.ensure_consumer_group(stream_name=stream, consumer_group=group)
    done = 0
    started = time.monotonic()
    while done < n:
        events = await mgr.read_stream(
            stream_name=stream,
            consumer_group=group,
            datatypes={"bench.model.Msg": Msg},
            track_headers=[],
            offset=">",
            batch_size=batch,
            timeout=1000,
            batch_interval=100,
        )
        for e in events:
            if isinstance(e, Exception):
                raise e
            await mgr.ack_read_stream(stream_name=stream, consumer_group=group, stream_event=e)
            done += 1
    secs = time.monotonic() - started
    await mgr.close()
    print(f"{done / secs:.0f}")


if __name__ == "__main__":
    url, stream, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    asyncio.run(main(url, stream, group, n, batch))
