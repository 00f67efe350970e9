from flask import Blueprint

bp = Blueprint("measures", __name__)
