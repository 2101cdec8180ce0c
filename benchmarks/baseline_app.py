"""The baseline: a bare Flask "hello" served the same way as consult, to compare against."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
