import os
import json

def handler(event):
    return json.dumps(event)

API_TOKEN = "dapi14914bc781ef02216ef29a54358a557f"
