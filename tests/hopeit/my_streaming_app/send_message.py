"""send-message: a POST endpoint that writes a MyMessage to my-stream (hopeit's default
json+base64 payload in an LZ4 frame)."""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from .data_model import MyData, MyMessage, Status

__steps__ = ["create_message", "validate"]

__api__ = event_api(
    payload=(MyData, "data received"),
    responses={
        200: (MyMessage, "message submitted to process"),
        400: (str, "invalid message error"),
    },
)


async def create_message(payload: MyData, context: EventContext) -> MyMessage:
    return MyMessage(payload.text, Status.NEW)


async def validate(message: MyMessage, context: EventContext) -> Optional[MyMessage]:
    if len(message.text) < 3:
        return None
    message.status = Status.VALID
    return message


async def __postprocess__(
    message: Optional[MyMessage], context: EventContext, response: PostprocessHook
) -> Union[MyMessage, str]:
    if message is None:
        response.status = 400
        return "invalid data received"
    return message
