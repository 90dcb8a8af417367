#!/usr/bin/env python3
"""Writes N realistic MESSAGESENT events (NDJSON) for the benchmarks: python3 bench/gen_events.py N > FILE"""
import json
import sys

n = int(sys.argv[1])
base = 1795357800000
streams = ["Rk3pVw9yHq2LdN7sXbT4Zn___oKd7Q2bdA", "uJ8mQz3tWc6Fh1KrPy5Gvn___oKd7P1WdA", "aN2xLq7eSb4Yt9MfUk1Hpn___oKd7O8XdA"]
user = {"userId": 344147139494862, "firstName": "Reed", "lastName": "Feldman", "displayName": "Reed Feldman",
        "email": "reed.feldman@example.com", "username": "reedUAT"}
out = sys.stdout
for i in range(n):
    mid = f"m{i:010d}Zp4Qw___ol3Pz5Kbw"
    ts = base + i
    event = {
        "id": f"e{i:08x}", "messageId": mid, "timestamp": ts, "type": "MESSAGESENT", "initiator": {"user": user},
        "payload": {"messageSent": {"message": {
            "messageId": mid, "timestamp": ts,
            "message": f"<div data-format=\"PresentationML\" data-version=\"2.0\" class=\"wysiwyg\"><p>/price AAPL #{i}</p></div>",
            "data": "{}", "user": user,
            "stream": {"streamId": streams[i % 3], "streamType": "IM"}, "externalRecipients": False}}},
    }
    out.write(json.dumps(event, separators=(",", ":")))
    out.write("\n")
