import os
import json
API_TOKEN = "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"

def handler(event):
    return json.dumps(event)

