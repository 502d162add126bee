import os
import json

API_TOKEN = "key-aa0fca51d12afc8e00aa1da5204642bb"
def handler(event):
    return json.dumps(event)

