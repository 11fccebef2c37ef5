"""The quick CSV reader (``schools.imports.quick_csv``, pandas' C parser for narrow files without quotes) gives
exactly the table ``read_table`` gives — the same cells, row numbers, warnings and problems — or leaves the file
to it; and the long template it reads imports as before."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schools.imports.quick_csv import quick_table
from schools.imports.readers import FileProblem, Limits, read_table


def _either(read, data, limits):
    try:
        return read(data, limits=limits)
    except FileProblem as problem:
        return problem


def assert_same_as_read_table(data: bytes, limits: Limits | None = None) -> bool:
    """True when the quick reader read the file (and it equals read_table's table), False when it left it."""
    limits = limits or Limits.none()
    quick = _either(quick_table, data, limits)
    if quick is None:
        return False
    slow = _either(read_table, data, limits)
    if isinstance(slow, FileProblem) or isinstance(quick, FileProblem):
        assert str(quick) == str(slow)
        return True
    assert quick.columns == slow.columns
    assert quick.frame.equals(slow.frame)
    assert list(quick.frame.dtypes) == list(slow.frame.dtypes)
    assert quick.row_numbers.tolist() == slow.row_numbers.tolist()
    assert [p.as_dict() for p in quick.warnings] == [p.as_dict() for p in slow.warnings]
    assert (quick.kind, quick.encoding) == (slow.kind, slow.encoding)
    return True


def test_a_long_template_is_read_quickly_with_its_blank_and_truncated_rows():
    data = (
        b"urn,results_year,measure,pupil_group,cohort,achievers,points,value,,\r\n"
        b" 100001 ,2024,ks2_rwm_exp,all,30,12,,,,\r\n"
        b"\r\n"
        b"  ,  ,,,,,,,,\r\n"
        b"100002,2024,ks2_rwm_exp,all\r\n"
        b"100003,2024,ks2_read_avg,all,28,,2940.5,105\xc2\xa0\r\n"
    )
    assert assert_same_as_read_table(data)
    table = quick_table(data)
    assert table.row_numbers.tolist() == [2, 5, 6]
    assert table.frame["urn"].tolist() == ["100001", "100002", "100003"]
    assert table.frame["value"].tolist() == ["", "", "105"]  # a no-break space stripped, as str.strip does
    assert [(p.row, p.column) for p in table.warnings] == [(5, "cohort")]
    assert "4 of 8 cells" in table.warnings[0].reason


@pytest.mark.parametrize(
    "data",
    [
        b'urn,value\n100001,"1,5"\n',  # quotes
        b"urn,value\r100001,5\r",  # lone carriage returns
        b"urn,value\n100001,5,extra\n",  # cells past the header
        b"urn;value\n" + b"1;2\n" * 3,  # another delimiter: read quickly, the same
        ",".join(f"c{i}" for i in range(80)).encode() + b"\n",  # wide (the DfE files)
        b"PK\x03\x04 not a workbook",
        b"\n\n",
        b"urn,value\n",
        b"urn,urn,urn,urn,urn\n\n\n,,\n",  # pandas' C tokenizer fails on it ("Buffer overflow caught")
    ],
)
def test_files_it_does_not_read_the_same_way_are_left_to_read_table(data):
    assert_same_as_read_table(data)


def test_too_many_rows_is_the_same_problem():
    data = b"urn,value\n" + b"100001,5\n" * 20
    with pytest.raises(FileProblem) as quick:
        quick_table(data, Limits(max_cells=10))
    with pytest.raises(FileProblem) as slow:
        read_table(data, limits=Limits(max_cells=10))
    assert str(quick.value) == str(slow.value)


CELL = st.text(alphabet=[",", ";", "\t", " ", "\n", "\r", '"', "x", "1", ".", "\xa0", "é", "\x00"], max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(["urn", "value", "", " a ", "urn"]), min_size=1, max_size=5),
    rows=st.lists(st.lists(CELL, max_size=6), max_size=8),
    line_end=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_any_small_file_reads_as_read_table_reads_it(header, rows, line_end, encoding):
    text = line_end.join([",".join(header), *(",".join(row) for row in rows)]) + line_end
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    assert_same_as_read_table(data)
