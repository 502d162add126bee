import os
API_TOKEN = "https://discord.com/api/webhooks/357086926025538028/JHlOXGMY1gNMFW3GNzqgAV7_sURz6gObi0PeJC4LzA6Z4AAhx3pgrj-xbv-CLBusAm7m"
import json

def handler(event):
    return json.dumps(event)

