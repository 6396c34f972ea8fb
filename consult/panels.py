from wagtail.admin.panels import InlinePanel
from wagtail.admin.panels.base import get_form_for_model


class FormClassInlinePanel(InlinePanel):
    """An ``InlinePanel`` whose child forms are built on ``form_class``.

    Wagtail builds the child form of an inline panel from
    ``WagtailAdminModelForm`` whenever it defers required fields for drafts,
    ignoring the child model's ``base_form_class``; this panel always uses
    the class it is given.
    """

    def __init__(self, *args, form_class, **kwargs):
        self.form_class = form_class
        super().__init__(*args, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "form_class": self.form_class}

    def get_form_options(self):
        options = super().get_form_options()
        child_options = self.child_edit_handler.get_form_options()
        extra = {}
        if child_options.get("defer_required_on_fields"):
            extra["defer_required_on_fields"] = child_options["defer_required_on_fields"]
        options["formsets"][self.relation_name]["form"] = get_form_for_model(
            self.db_field.related_model, form_class=self.form_class, **extra
        )
        return options
