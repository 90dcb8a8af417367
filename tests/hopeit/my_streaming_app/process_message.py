"""process-message: the STREAM event consuming my-stream in process-message-group; saves each
message as a JSON file, which is how the test sees what the app processed."""

import uuid

from hopeit.app.context import EventContext
from hopeit.fs_storage import FileStorage

from .data_model import MyMessage, Status

__steps__ = ["save_message"]

output = None


async def __init_event__(context: EventContext):
    global output
    if output is None:
        output = FileStorage(path=context.env["process_message"]["save_path"])


async def save_message(message: MyMessage, context: EventContext) -> MyMessage:
    assert output
    message.status = Status.PROCESSED
    await output.store(key=str(uuid.uuid4()), value=message)
    return message
