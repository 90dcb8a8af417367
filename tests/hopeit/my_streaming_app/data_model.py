"""Data model of the tutorial app: what send-message receives and what goes through my-stream."""

from enum import Enum

from hopeit.dataobjects import dataclass, dataobject


@dataobject
@dataclass
class MyData:
    text: str


class Status(Enum):
    NEW = "NEW"
    VALID = "VALID"
    PROCESSED = "PROCESSED"


@dataobject
@dataclass
class MyMessage:
    text: str
    status: Status
