"""The upload form: size and content checks happen here, before any parsing."""

from django import forms

from gapmonitor.conf import conf

from ..reference_data import FIRST_YEAR, LAST_YEAR
from .readers import FileProblem, sniff_kind
from .reading import UPLOAD_FORMATS


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV (UTF-8, UTF-8 with BOM, UTF-16 or Windows-1252) or XLSX. Nothing is written until you confirm.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("auto", "Detect from the header")] + UPLOAD_FORMATS,
        initial="auto",
    )
    results_year = forms.IntegerField(
        label="Results year (DfE files)",
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="DfE performance tables have no year column. Leave blank to take it from the file name "
        "(ks2_2018-19_… → 2019), else the folder below, else the file's previous-year columns; the "
        "preview shows the year used and how it was found.",
    )
    folder = forms.CharField(
        label="Folder the file came from (DfE files, optional)",
        required=False,
        max_length=100,
        help_text="The DfE's download keeps the year in the folder name, e.g. 2024-2025 for "
        "2024-2025/919_ks2final.csv; a browser uploads only the file name.",
    )
    results_status = forms.ChoiceField(
        label="Status of the figures (DfE files)",
        required=False,
        initial="",
        choices=[
            ("", "From the file name (ks2provisional, ks2revised, ks2final), else final"),
            ("provisional", "Provisional"),
            ("revised", "Revised"),
            ("final", "Final"),
        ],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = conf.max_upload_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {_megabytes(upload.size)}; the largest file accepted is {_megabytes(limit)}."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        data = upload.read()
        try:
            sniff_kind(data)
        except FileProblem as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.data_bytes = data
        return upload
