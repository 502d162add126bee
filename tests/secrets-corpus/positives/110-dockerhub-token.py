API_TOKEN = "dckr_pat_ANHquhC7RNYONhOlLgPEtwF7dzP"
import os
import json

def handler(event):
    return json.dumps(event)

