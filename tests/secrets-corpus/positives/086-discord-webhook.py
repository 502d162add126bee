API_TOKEN = "https://discord.com/api/webhooks/967000891626951525/vlQa9MtHmnEot-IpP7FufGUzKZAqEEmbng_ADlvtHd2YoLpkBDFhFjRmfBwMRk7xbO00"
import os
import json

def handler(event):
    return json.dumps(event)

