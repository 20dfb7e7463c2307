"""Import and export of the procedure catalogue, as JSON or as a spreadsheet.

One record per procedure, with the same keys in both formats:

- JSON: a list of objects; each has the keys of ``PROCEDURE_COLUMNS`` plus
  ``components`` (list of objects with the keys of ``COMPONENT_COLUMNS``
  minus ``procedure_code``), ``fees`` (likewise ``FEE_COLUMNS``; ``tiers`` a
  list of ``{"from": 3, "amount": 1000}``), ``fee_exemptions`` (likewise
  ``EXEMPTION_COLUMNS``; ``fee_codes`` a list, dates as YYYY-MM-DD),
  ``processing_cases`` (likewise ``CASE_COLUMNS``: the cases with a legal
  time of their own, in order) and ``eform`` (the list of field specs).
- XLSX: sheet ``procedures`` with one row per procedure (``PROCEDURE_COLUMNS``,
  ``eform`` as JSON text in its cell); sheets ``components``, ``fees``,
  ``fee_exemptions`` and ``processing_cases`` with one row per component, fee,
  exemption or case, keyed by ``procedure_code``, in order (tiers as text
  "3: 1000; 10: 500", fee codes separated by commas).

Every record is imported in its own savepoint through the catalogue
services: a new code creates the procedure; a known code updates its
identity and publishes a new version only if the content changed. The report
says, per row, what happened and why a row was rejected.

The package: ``records`` (a procedure as a record, and a record parsed and
checked), ``files`` (JSON and XLSX read into records and written from them)
and ``runner`` (the import and its report). Callers import from here.
"""

from motcua.catalog.importing.files import ImportFileError as ImportFileError
from motcua.catalog.importing.files import Row as Row
from motcua.catalog.importing.files import export_json as export_json
from motcua.catalog.importing.files import export_xlsx as export_xlsx
from motcua.catalog.importing.files import read_file as read_file
from motcua.catalog.importing.files import read_json as read_json
from motcua.catalog.importing.files import read_xlsx as read_xlsx
from motcua.catalog.importing.records import CASE_COLUMNS as CASE_COLUMNS
from motcua.catalog.importing.records import COMPONENT_COLUMNS as COMPONENT_COLUMNS
from motcua.catalog.importing.records import EXEMPTION_COLUMNS as EXEMPTION_COLUMNS
from motcua.catalog.importing.records import FEE_COLUMNS as FEE_COLUMNS
from motcua.catalog.importing.records import PROCEDURE_COLUMNS as PROCEDURE_COLUMNS
from motcua.catalog.importing.records import ParsedRecord as ParsedRecord
from motcua.catalog.importing.records import case_record as case_record
from motcua.catalog.importing.records import exemption_record as exemption_record
from motcua.catalog.importing.records import fee_record as fee_record
from motcua.catalog.importing.records import parse_case as parse_case
from motcua.catalog.importing.records import parse_exemption as parse_exemption
from motcua.catalog.importing.records import parse_fee as parse_fee
from motcua.catalog.importing.records import parse_record as parse_record
from motcua.catalog.importing.records import procedure_record as procedure_record
from motcua.catalog.importing.records import procedures_for_export as procedures_for_export
from motcua.catalog.importing.runner import ImportReport as ImportReport
from motcua.catalog.importing.runner import RowResult as RowResult
from motcua.catalog.importing.runner import RowStatus as RowStatus
from motcua.catalog.importing.runner import catalog_import as catalog_import
from motcua.catalog.importing.runner import catalog_import_file as catalog_import_file
