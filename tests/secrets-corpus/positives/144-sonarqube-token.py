import os
import json

API_TOKEN = "squ_e22e00fd2d741d7a9fdc10a1d67a0031dffb3ca0"
def handler(event):
    return json.dumps(event)

