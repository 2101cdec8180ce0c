"""Administration pages: users, roles and organisations, the role matrix, the audit log."""

from flask import Blueprint, render_template
from flask_login import login_required

from consult.core.permissions import Capability, require
from consult.core.views import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@login_required
def index():
    require(current_actor(), Capability.ACCOUNTS_SET_ROLE)
    return render_template("admin/index.html")
