"""A bot built on the published Python bot kit (symphony-bdk-python), used by feedctl's tests.

It answers every event it receives with a message naming the event, so a test can check, through
`feedctl serve`'s outbox, that the kit received every event. Usage: python echo_bot.py config.yaml
"""
import asyncio
import logging
import sys

from symphony.bdk.core.config.loader import BdkConfigLoader
from symphony.bdk.core.service.datafeed.real_time_event_listener import RealTimeEventListener
from symphony.bdk.core.symphony_bdk import SymphonyBdk

# Events without a stream (connections) are answered here.
NO_STREAM = "CONNECTIONS"


def describe(event):
    """(stream id, key) of an event payload: the message id when there is one."""
    message = getattr(event, "message", None)
    stream = getattr(event, "stream", None) or getattr(message, "stream", None)
    stream_id = getattr(stream, "stream_id", None) or NO_STREAM
    key = getattr(message, "message_id", None) or getattr(event, "message_id", None) or ""
    return stream_id, key


class Answerer(RealTimeEventListener):
    def __init__(self, messages):
        self.messages = messages

    async def answer(self, kind, event):
        stream_id, key = describe(event)
        await self.messages.send_message(stream_id, f"<messageML>answer {kind} {key}</messageML>")


KINDS = {
    "on_message_sent": "MESSAGESENT",
    "on_shared_post": "SHAREDPOST",
    "on_instant_message_created": "INSTANTMESSAGECREATED",
    "on_room_created": "ROOMCREATED",
    "on_room_updated": "ROOMUPDATED",
    "on_room_deactivated": "ROOMDEACTIVATED",
    "on_room_reactivated": "ROOMREACTIVATED",
    "on_user_requested_to_join_room": "USERREQUESTEDTOJOINROOM",
    "on_user_joined_room": "USERJOINEDROOM",
    "on_user_left_room": "USERLEFTROOM",
    "on_room_member_promoted_to_owner": "ROOMMEMBERPROMOTEDTOOWNER",
    "on_room_demoted_from_owner": "ROOMMEMBERDEMOTEDFROMOWNER",
    "on_connection_requested": "CONNECTIONREQUESTED",
    "on_connection_accepted": "CONNECTIONACCEPTED",
    "on_message_suppressed": "MESSAGESUPPRESSED",
    "on_symphony_elements_action": "SYMPHONYELEMENTSACTION",
}


def handler(kind):
    async def on_event(self, initiator, event):
        await self.answer(kind, event)
    return on_event


for method, kind in KINDS.items():
    setattr(Answerer, method, handler(kind))


async def main():
    config = BdkConfigLoader.load_from_file(sys.argv[1])
    async with SymphonyBdk(config) as bdk:
        datafeed = bdk.datafeed()
        datafeed.subscribe(Answerer(bdk.messages()))
        await datafeed.start()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    asyncio.run(main())
