use super::*;

fn order(id: &str, order_no: &str) -> FaceOrder {
    FaceOrder {
        id: id.into(),
        flow: Flow::H5,
        app: "TIDAMOCK".into(),
        order_no: order_no.into(),
        user_id: "u1".into(),
        name: "n".into(),
        id_no: "1".into(),
        created: 0,
        scenario: None,
        login: None,
        outcome: None,
    }
}

fn login() -> Login {
    Login { url: "https://p/cb".into(), pc: false, skip_result_page: true, replace: false, session: "s".into(), at: 1 }
}

fn outcome() -> Outcome {
    Outcome {
        scenario: "face-pass".into(),
        code: "0".into(),
        live_rate: Some("99".into()),
        similarity: Some("88.01".into()),
        occurred: 2,
        record: true,
        files: true,
        files_at: 2,
    }
}

#[test]
fn a_verification_has_one_login_and_one_outcome() {
    let faces = Faces::new(10, None);
    faces.create(order("wb1", "o1"));
    assert!(faces.log_in("wb1", login()).is_ok());
    assert_eq!(faces.log_in("wb1", login()), Err(Refused::LoggedIn));
    assert!(faces.complete("wb1", outcome()).is_ok());
    assert_eq!(faces.complete("wb1", outcome()), Err(Refused::Completed));
    assert_eq!(faces.log_in("nope", login()), Err(Refused::Unknown));
    assert_eq!(faces.find("TIDAMOCK", "o1").unwrap().outcome.unwrap().code, "0");
}

#[test]
fn the_oldest_records_are_evicted_past_the_bound() {
    let faces = Faces::new(2, None);
    for i in 0..5 {
        faces.create(order(&format!("wb{i}"), &format!("o{i}")));
    }
    assert_eq!(faces.len(), 2);
    assert!(faces.get("wb0").is_none() && faces.find("TIDAMOCK", "o0").is_none());
    assert!(faces.get("wb4").is_some());
}

#[test]
fn records_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let faces = Faces::new(10, Some(dir.path().to_path_buf()));
    faces.create(order("wb1", "o1"));
    faces.log_in("wb1", login()).unwrap();
    faces.complete("wb1", outcome()).unwrap();
    drop(faces);
    let again = Faces::new(10, Some(dir.path().to_path_buf()));
    let f = again.find("TIDAMOCK", "o1").unwrap();
    assert_eq!((f.login.is_some(), f.outcome.map(|o| o.code)), (true, Some("0".into())));
    again.reset();
    assert!(Faces::new(10, Some(dir.path().to_path_buf())).is_empty());
}
