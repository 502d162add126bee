import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "sk_live_ckSxKM2awH7C9HehwTp0136u"
