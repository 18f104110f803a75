"""The confidentiality agreement: members accept it; the chair sets its text."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.cases.agreement import services as agreement
from panel.cases.agreement.forms import AcceptAgreementForm, AgreementTextForm
from panel.core.urls import safe_next

bp = Blueprint("agreement", __name__)


@bp.route("/panels/<int:panel_id>/confidentiality", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.VIEW_CASE_REVIEWS))
def agreement_page(panel):
    form = AcceptAgreementForm()
    if form.validate_on_submit():
        agreement.accept(current_user, panel)
        flash("Thank you. You can now open this panel's case material.", "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template(
        "cases/agreement.html",
        panel=panel,
        form=form,
        text=agreement.agreement_text(panel),
        accepted=agreement.agreement_accepted(current_user, panel),
        last_accepted=agreement.last_acceptance(current_user, panel),
        title=f"Confidentiality agreement – {panel.name}",
    )


@bp.route("/panels/<int:panel_id>/confidentiality/edit", methods=["GET", "POST"])
@access.rule(access.on_panel(Action.SET_CONFIDENTIALITY_AGREEMENT))
def edit_agreement(panel):
    form = AgreementTextForm(data={"text": agreement.agreement_text(panel)})
    if form.validate_on_submit():
        agreement.set_agreement_text(current_user, panel, form.text.data)
        flash(
            "Agreement saved. Members will be asked to accept it before case material.", "success"
        )
        return redirect(url_for("agreement.agreement_page", panel_id=panel.id))
    return render_template(
        "cases/agreement_edit.html",
        panel=panel,
        form=form,
        title=f"Change the confidentiality agreement – {panel.name}",
    )
