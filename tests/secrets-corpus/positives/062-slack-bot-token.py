API_TOKEN = "xoxb-255366934783-3724979583698-ni3WhRGfI2rVXWybQTKjtayT"
import os
import json

def handler(event):
    return json.dumps(event)

