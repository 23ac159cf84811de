"""The ``cauce`` command line. Every command takes --json; errors exit non-zero with one clear message."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli import render
from cli.demo import seed_demo
from cli.gateway_cmd import pasarela
from cli.mail_cmd import mail
from cli.output import emit, handled, json_option, parse_json_option
from cli.serve_cmd import serve
from cli.wiring import build_engine, demo_model_dirs, initialize, open_database, require_current_schema
from cli.worker_cmd import worker
from engine.config import Settings
from engine.db import utcnow
from engine.errors import Forbidden
from engine.identity import User
from engine.runtime import Engine
from handlers.ledger.statement import account_statement
from handlers.ledger.statement_render import statement_json, statement_text


def _engine() -> Engine:
    db = open_database(Settings.from_env())
    require_current_schema(db)
    return build_engine(db)


@click.group(help="cauce: motor BPM de los servicios financieros (PRO-MAA-16 y casos).")
def main() -> None:
    pass


@main.command(help="Crea o migra la base de datos (DATABASE_URL; SQLite en instance/ por defecto).")
@json_option
@handled
def init(as_json: bool) -> None:
    settings = Settings.from_env()
    before, after = initialize(open_database(settings))
    emit(as_json, {"database": settings.database_url, "revision_before": before, "revision": after},
         f"Base de datos lista en {settings.database_url} (revisión {after}).")


@main.command(help="Usuarios de demostración, libro contable con un pago por cada rama de PRO-MAA-16, "
                   "y los procesos desplegados.")
@click.option("--scale", "scale_count", default=0, show_default=True, type=click.IntRange(min=0),
              help="Además, N solicitudes PRO-MAA-16 abiertas (en la bandeja de TIC), para pruebas de carga.")
@json_option
@handled
def demo(scale_count: int, as_json: bool) -> None:
    settings = Settings.from_env()
    db = open_database(settings)
    initialize(db)
    summary = seed_demo(db)
    engine = build_engine(db)
    summary["deployments"] = [r.as_dict() for r in engine.deploy(demo_model_dirs(settings), "system")]
    if scale_count:
        from cli.scale import scale

        with click.progressbar(length=scale_count, label="Generando solicitudes", file=sys.stderr) as bar:
            summary["scale"] = scale(engine, summary["payments"], scale_count, progress=bar.update)
    extra = f"\n{scale_count} solicitudes PRO-MAA-16 abiertas en la bandeja de Dirección TIC." if scale_count else ""
    emit(as_json, summary, lambda: render.demo(summary) + extra)


@main.command(help="Valida modelos (carpetas con BPMN y formularios) sin desplegarlos.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@json_option
@handled
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    reports = _engine().validate(list(paths))
    emit(as_json, {"ok": all(r.ok for r in reports), "models": [r.as_dict() for r in reports]},
         lambda: render.validation(reports))
    if not all(r.ok for r in reports):
        raise SystemExit(1)


@main.command(help="Despliega los modelos (por defecto, todos los de processes/). Si alguno tiene errores, "
                   "no se despliega ninguno.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--as", "actor", default="system", show_default=True, help="Quién despliega.")
@json_option
@handled
def deploy(paths: tuple[Path, ...], actor: str, as_json: bool) -> None:
    targets = list(paths) or [Settings.from_env().processes_dir]
    results = _engine().deploy(targets, actor)
    emit(as_json, {"deployments": [r.as_dict() for r in results]}, lambda: render.deployments(results))


@main.command(help="Inicia una instancia de PROCESS con los datos del formulario de inicio.")
@click.argument("process")
@click.option("--as", "actor", required=True, help="Usuario que inicia.")
@click.option("--data", default="{}", help="Datos del formulario de inicio (objeto JSON).")
@click.option("--key", "business_key", default=None, help="Clave de negocio (por defecto se genera).")
@json_option
@handled
def start(process: str, actor: str, data: str, business_key: str | None, as_json: bool) -> None:
    view = _engine().start(process, actor, parse_json_option(as_json, data), business_key)
    emit(as_json, view.as_dict(), lambda: render.instance_summary(view))


@main.command(name="send", help="Envía el mensaje NOMBRE a la instancia que lo espere con esa clave (lo entrega el "
                                "trabajador; si nadie lo espera, queda guardado y reportado).")
@click.argument("name")
@click.option("--key", "correlation_key", default=None, help="Clave de correlación (p. ej. el número de factura).")
@click.option("--data", default="{}", help="Contenido del mensaje (JSON).")
@click.option("--id", "message_key", default=None, help="Id del mensaje: el mismo id enviado de nuevo se descarta.")
@click.option("--as", "actor", required=True)
@json_option
@handled
def send(name: str, correlation_key: str | None, data: str, message_key: str | None, actor: str,
         as_json: bool) -> None:
    message_id = _engine().send_message(name, correlation_key, parse_json_option(as_json, data), actor, message_key)
    emit(as_json, {"message_id": message_id, "duplicate": message_id is None},
         f"Mensaje {message_id} en cola de entrega." if message_id else "Ese id ya se había enviado: se descarta.")


@main.command(help="Lista las tareas que USER puede trabajar (suyas y de sus grupos).")
@click.option("--as", "actor", required=True)
@click.option("--mine", is_flag=True, help="Solo las reclamadas por el usuario.")
@json_option
@handled
def tasks(actor: str, mine: bool, as_json: bool) -> None:
    engine = _engine()
    with engine.db.read() as session:
        user = session.get(User, actor)
        if user is None or not user.active:  # else a mistyped name would just list "no tasks"
            raise Forbidden(f"El usuario «{actor}» no existe o está inactivo.")
    found = engine.tasks_for(actor, include_group=not mine)
    emit(as_json, {"tasks": [t.as_dict() for t in found]}, lambda: render.tasks_table(found))


@main.command(help="Reclama una tarea.")
@click.argument("task", type=int)
@click.option("--as", "actor", required=True)
@json_option
@handled
def claim(task: int, actor: str, as_json: bool) -> None:
    view = _engine().claim(task, actor)
    emit(as_json, view.as_dict(), f"Tarea {view.id} reclamada por {view.assignee}.")


@main.command(help="Libera una tarea reclamada.")
@click.argument("task", type=int)
@click.option("--as", "actor", required=True)
@json_option
@handled
def release(task: int, actor: str, as_json: bool) -> None:
    view = _engine().release(task, actor)
    emit(as_json, view.as_dict(), f"Tarea {view.id} liberada.")


@main.command(help="Completa una tarea con los datos de su formulario.")
@click.argument("task", type=int)
@click.option("--as", "actor", required=True)
@click.option("--data", default="{}", help="Datos del formulario (objeto JSON).")
@json_option
@handled
def complete(task: int, actor: str, data: str, as_json: bool) -> None:
    view = _engine().complete(task, actor, parse_json_option(as_json, data))
    emit(as_json, view.as_dict(), lambda: render.instance_summary(view))


@main.command(help="Muestra una instancia: estado, tareas actuales, datos, incidentes e historial.")
@click.argument("instance", type=int)
@json_option
@handled
def show(instance: int, as_json: bool) -> None:
    detail = _engine().show(instance)
    emit(as_json, detail.as_dict(), lambda: render.instance_detail(detail))


@main.command(help="Reintenta el paso fallido de un incidente, una vez corregida su causa.")
@click.argument("incident", type=int)
@click.option("--as", "actor", required=True)
@json_option
@handled
def retry(incident: int, actor: str, as_json: bool) -> None:
    view = _engine().retry_incident(incident, actor)
    emit(as_json, view.as_dict(), lambda: render.instance_summary(view))


def _status_command(name: str, help_text: str, method: str) -> None:
    @main.command(name=name, help=help_text)
    @click.argument("instance", type=int)
    @click.option("--as", "actor", required=True, help="Supervisor que lo hace.")
    @json_option
    @handled
    def command(instance: int, actor: str, as_json: bool) -> None:
        view = getattr(_engine(), method)(instance, actor)
        emit(as_json, view.as_dict(), lambda: render.instance_summary(view))


_status_command("suspend", "Suspende una instancia (supervisores).", "suspend")
_status_command("resume", "Reanuda una instancia suspendida (supervisores).", "resume")
_status_command("terminate", "Termina una instancia y cancela sus tareas (supervisores).", "terminate")


@main.command(help="Estado de cuenta de un estudiante (o cuenta genérica): cada movimiento y el saldo.")
@click.argument("student")
@json_option
@handled
def statement(student: str, as_json: bool) -> None:
    db = open_database(Settings.from_env())
    require_current_schema(db)
    with db.read() as session:
        result = account_statement(session, student)
    emit(as_json, statement_json(result), lambda: statement_text(result))


@main.command(help="Mide el motor: en memoria contra persistido, y el costo de un paso tras N rondas.")
@click.option("--rounds", default=1000, show_default=True, help="Rondas del bucle largo.")
@click.option("--instances", default=200, show_default=True, help="Instancias por medición.")
@click.option("--inbox-tasks", default=100_000, show_default=True, help="Tareas abiertas de la bandeja grande.")
@click.option("--http/--no-http", default=True, show_default=True, help="Medir también la API por HTTP.")
@json_option
@handled
def bench(rounds: int, instances: int, inbox_tasks: int, http: bool, as_json: bool) -> None:
    from bench.engine_bench import run_benchmarks

    run_benchmarks(instances=instances, rounds=rounds, as_json=as_json, inbox_sizes=(100, inbox_tasks), http=http)


@main.command(name="bench-scale", help="Mide el crecimiento horizontal: 1 trabajador contra 2 y 4, y 1 proceso web "
                                       "contra 2, en PostgreSQL; sin --pg-url, solo el trabajador embebido en SQLite.")
@click.option("--pg-url", default=None, help="URL de cualquier base del servidor PostgreSQL (se crea una desechable).")
@click.option("--jobs", default=400, show_default=True, type=click.IntRange(min=1), help="Trabajos por medición.")
@click.option("--repeats", default=5, show_default=True, type=click.IntRange(min=1), help="Mediciones alternadas.")
@click.option("--http/--no-http", default=True, show_default=True, help="Medir también 1 contra 2 procesos web.")
@json_option
@handled
def bench_scale(pg_url: str | None, jobs: int, repeats: int, http: bool, as_json: bool) -> None:
    from bench.worker_bench import run

    result = run(pg_url, jobs, repeats, http=http)
    emit(as_json, result, lambda: render.scale_summary(result))


@main.command(help="Crea un token de la API JSON para USER y lo muestra (una sola vez; solo se guarda su hash).")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="Nombre del token (se ve en «Mi cuenta»).")
@json_option
@handled
def token(username: str, name: str, as_json: bool) -> None:
    from webui.tokens import create_token

    db = open_database(Settings.from_env())
    require_current_schema(db)
    with db.write() as session:
        value = create_token(session, username, name, utcnow())
    emit(as_json, {"username": username, "name": name, "token": value}, value)


main.add_command(worker)
main.add_command(mail)
main.add_command(serve)
main.add_command(pasarela)

if __name__ == "__main__":
    main()
