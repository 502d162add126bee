import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "key-afb77b4460ecec9524998a26259bebd2"
