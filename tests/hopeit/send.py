"""POSTs each argument as MyData to send-message; prints each response as one JSON line."""

import json
import sys
import urllib.request

url = sys.argv[1]
for text in sys.argv[2:]:
    req = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        body = json.loads(r.read())
        print(json.dumps({"status": r.status, "body": body}), flush=True)
