//! One roster row into the API's `ApplicationInput`, then through
//! `intake::to_application`, the same door an HTTP application uses.

use chrono::NaiveDate;
use expert_core::admission::AdmissionPolicy;
use expert_core::expert::{Documents, EmployerContact, TitleLevel};

use super::columns::{Column, ColumnMap};
use super::report::RowError;
use super::table::{Cell, Row};
use super::values::{self, CellError};
use crate::intake::{self, ApplicationInput, EmployerInput, Intake};

/// The checked application of a row, or every problem found in it.
pub fn parse(
    map: &ColumnMap,
    row: &Row,
    today: NaiveDate,
    policy: &AdmissionPolicy,
) -> Result<Intake, Vec<RowError>> {
    let mut errors: Vec<RowError> = Vec::new();
    let e = &mut errors;
    let name = read(e, map, row, Column::Name, values::text);
    let resident_id = read(e, map, row, Column::ResidentId, |c| {
        values::long_identifier(c, "身份证号", "resident ID")
    });
    let mobile = read(e, map, row, Column::Mobile, |c| {
        values::short_identifier(c, "手机号", "mobile number")
    });
    let region = read(e, map, row, Column::Region, values::text);
    let employer_name = read(e, map, row, Column::EmployerName, values::text);
    let employer_code = read(e, map, row, Column::EmployerCode, |c| {
        values::long_identifier(c, "统一社会信用代码", "credit code")
    });
    let contact_name = read(
        e,
        map,
        row,
        Column::EmployerContactName,
        values::optional_text,
    );
    let contact_phone = read(e, map, row, Column::EmployerContactPhone, |c| {
        values::short_identifier(c, "单位联系电话", "contact phone")
            .map(|s| Some(s).filter(|s| !s.is_empty()))
    });
    let contact_address = read(
        e,
        map,
        row,
        Column::EmployerContactAddress,
        values::optional_text,
    );
    let pledge = read(e, map, row, Column::IntegrityPledge, values::optional_text);
    let no_criminal_record = read(e, map, row, Column::NoCriminalRecord, values::optional_text);
    let specialties = read(e, map, row, Column::Specialties, values::code_list);
    let employed_since = read(e, map, row, Column::EmployedSince, values::date);
    let senior_equivalent = read(e, map, row, Column::SeniorEquivalent, values::boolean);
    let title = read(e, map, row, Column::Title, values::title);
    let years = read(e, map, row, Column::YearsInField, values::whole_number);
    let civil_servant = read(e, map, row, Column::CivilServant, values::boolean);

    // An empty cell in a required column is reported as such, not as the
    // rule its empty value would break next (a length of 0, say).
    let mut required = |column: Column, present: bool| {
        if !present && !errors.iter().any(|e| e.column == Some(column)) {
            errors.push(RowError::from_cell(
                row.number,
                column,
                CellError::required(),
            ));
        }
    };
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
    required(Column::Name, filled(&name));
    required(Column::ResidentId, filled(&resident_id));
    required(Column::Mobile, filled(&mobile));
    required(Column::Region, filled(&region));
    required(Column::EmployerName, filled(&employer_name));
    required(Column::EmployerCode, filled(&employer_code));
    required(
        Column::Specialties,
        specialties.as_ref().is_some_and(|s| !s.is_empty()),
    );
    required(Column::Title, matches!(title, Some(Some(_))));
    required(Column::YearsInField, matches!(years, Some(Some(_))));
    required(Column::CivilServant, matches!(civil_servant, Some(Some(_))));

    let contact_name = contact_name.flatten();
    let contact_phone = contact_phone.flatten();
    let contact_address = contact_address.flatten();
    let employer_contact =
        if contact_name.is_some() || contact_phone.is_some() || contact_address.is_some() {
            Some(EmployerContact {
                name: contact_name.unwrap_or_default(),
                phone: contact_phone,
                address: contact_address,
            })
        } else {
            None
        };
    let input = ApplicationInput {
        name: name.unwrap_or_default(),
        resident_id: resident_id.unwrap_or_default(),
        mobile: mobile.unwrap_or_default(),
        region: region.unwrap_or_default(),
        employer: EmployerInput {
            name: employer_name.unwrap_or_default(),
            code: employer_code.unwrap_or_default(),
        },
        employed_since: employed_since.flatten(),
        specialties: specialties.unwrap_or_default(),
        // Placeholders only stand in where an error is already recorded.
        title: title.flatten().unwrap_or(TitleLevel::None),
        senior_equivalent: senior_equivalent.flatten().unwrap_or(false),
        years_in_field: years.flatten().unwrap_or(0),
        civil_servant: civil_servant.flatten().unwrap_or(false),
        employer_contact,
        documents: Documents {
            integrity_pledge: pledge.flatten(),
            no_criminal_record: no_criminal_record.flatten(),
        },
    };
    match intake::to_application(input, today, policy) {
        Ok(intake) if errors.is_empty() => Ok(intake),
        Ok(_) => Err(errors),
        Err(field_errors) => {
            for e in field_errors {
                let e = RowError::from_field(row.number, e);
                // A column already reported (empty, a number) is not
                // reported again for the placeholder it got.
                if !errors
                    .iter()
                    .any(|x| x.column.is_some() && x.column == e.column)
                {
                    errors.push(e);
                }
            }
            Err(errors)
        }
    }
}

/// The column's cell read by `f`; `None` (with the error recorded) when it
/// cannot be read.
fn read<T>(
    errors: &mut Vec<RowError>,
    map: &ColumnMap,
    row: &Row,
    column: Column,
    f: impl Fn(&Cell) -> Result<T, CellError>,
) -> Option<T> {
    f(row.cell(map.index(column)))
        .map_err(|e| errors.push(RowError::from_cell(row.number, column, e)))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> ColumnMap {
        let headers: Vec<String> = Column::ALL.iter().map(|c| c.name().to_owned()).collect();
        ColumnMap::from_headers(&headers).unwrap()
    }

    fn row(values: [&str; 17]) -> Row {
        Row {
            number: 2,
            cells: values
                .iter()
                .map(|v| {
                    if v.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text((*v).to_owned())
                    }
                })
                .collect(),
        }
    }

    const GOOD: [&str; 17] = [
        "张三",
        "420106197001011232",
        "13812345678",
        "420100",
        "湖北省某设计院",
        "91350100M000100Y43",
        "2015-03-01",
        "ENA010101、ENA020101",
        "副高级",
        "否",
        "15",
        "是",
        "人事处",
        "027-12345678",
        "",
        "doc/1",
        "doc/2",
    ];

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    #[test]
    fn a_good_row_becomes_an_application() {
        let intake = parse(&map(), &row(GOOD), today(), &AdmissionPolicy::default()).unwrap();
        let p = &intake.application.profile;
        assert_eq!(p.specialties, ["ENA010101", "ENA020101"]);
        assert_eq!(p.title, TitleLevel::AssociateSenior);
        assert!(p.civil_servant);
        assert_eq!(p.employer_contact.as_ref().unwrap().name, "人事处");
        assert_eq!(p.employer_contact.as_ref().unwrap().address, None);
        assert_eq!(intake.employed_since.to_string(), "2015-03-01");
        assert_eq!(
            intake.application.documents.integrity_pledge.as_deref(),
            Some("doc/1")
        );
    }

    #[test]
    fn every_problem_is_reported_once_per_column() {
        let mut v = GOOD;
        v[1] = "420106197001011233"; // check digit
        v[2] = ""; // required
        v[5] = "4.2E+17"; // a number that lost its digits
        v[8] = "教授";
        let errors = parse(&map(), &row(v), today(), &AdmissionPolicy::default()).unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.column_name(), e.rule.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("employer_code", "number_not_text"),
                ("title", "invalid_title"),
                ("mobile", "required"),
                ("resident_id", "check_character"),
            ]
        );
        assert!(errors.iter().all(|e| e.row == 2));
        // No message repeats the identifier.
        assert!(
            errors
                .iter()
                .all(|e| !e.message_en.contains("420106197001011233"))
        );
    }
}
