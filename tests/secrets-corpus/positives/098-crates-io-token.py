import os
import json

def handler(event):
    return json.dumps(event)
API_TOKEN = "cio86A76HSX9OfPnnsW64aTqBTh8lNCNRkS"

