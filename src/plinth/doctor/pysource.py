"""The Python sources as syntax trees (never imported): modules, imports, functions and the
calls each makes, route handlers, lifespans and app objects."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property

from .files import Repo, is_test_path

ROUTE_VERBS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "trace",
        "route",
        "api_route",
        "websocket",
        "websocket_route",
    }
)
# Where an app object comes from, by the constructor's qualified name.
APP_CONSTRUCTORS = {
    "fastapi.FastAPI": ("fastapi", "asgi"),
    "litestar.Litestar": ("litestar", "asgi"),
    "starlette.applications.Starlette": ("starlette", "asgi"),
    "quart.Quart": ("quart", "asgi"),
    "flask.Flask": ("flask", "wsgi"),
    "django.core.asgi.get_asgi_application": ("django", "asgi"),
    "django.core.wsgi.get_wsgi_application": ("django", "wsgi"),
}


@dataclass
class Call:
    name: str  # qualified as far as the module's imports tell ("time.sleep", "self.load", "f")
    line: int
    awaited: bool
    node: ast.Call


@dataclass
class Function:
    module: Module
    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    calls: list[Call] = field(default_factory=list)
    awaits: bool = False
    decorators: list[str] = field(default_factory=list)

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def is_route(self) -> bool:
        for deco in self.decorators:
            last = deco.rsplit(".", 1)[-1]
            if last in ROUTE_VERBS and not deco.startswith(("functools.", "typing.")):
                return True
        if self.module.name.rsplit(".", 1)[-1] in {"views", "api"} and self.cls is None:
            args = self.node.args.posonlyargs + self.node.args.args
            return bool(args) and args[0].arg == "request"
        return False


class Module:
    def __init__(self, rel: str, name: str, tree: ast.Module, is_package: bool) -> None:
        self.rel, self.name, self.tree = rel, name, tree
        self.root = ""  # the project folder (holding pyproject.toml) it belongs to
        self.package = name if is_package else name.rpartition(".")[0]
        self.imports: dict[str, str] = {}
        self.functions: dict[str, Function] = {}
        self.top_calls: list[Call] = []  # calls made at import time
        self._index()

    # ------------------------------------------------------------------ names
    def qualify(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.imports.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualify(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):  # httpx.Client().get -> "httpx.Client().get"
            base = self.qualify(node.func)
            return f"{base}()" if base else None
        return None

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    self.imports[head] = head
            return
        base = node.module or ""
        if node.level:
            parts = self.package.split(".") if self.package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join([*parts, *([base] if base else [])])
        for alias in node.names:
            self.imports[alias.asname or alias.name] = (
                f"{base}.{alias.name}" if base else alias.name
            )

    # ------------------------------------------------------------------ index
    def _index(self) -> None:
        """One walk over the tree: imports, functions, calls (qualified once the imports are
        all known), short string constants."""
        self._pending: list[tuple[list[Call], ast.Call, bool]] = []
        self._decorators: list[tuple[Function, ast.expr]] = []
        self.strings: set[str] = set()
        self._scan_body(self.tree.body, None, None, self.top_calls)
        for calls, node, awaited in self._pending:
            name = self.qualify(node.func)
            if name:
                calls.append(Call(name, node.lineno, awaited, node))
        for fn, deco in self._decorators:
            fn.decorators.append(self.qualify(deco) or "")
        del self._pending, self._decorators

    def _scan_body(
        self,
        body: list[ast.stmt],
        cls: str | None,
        prefix: str | None,
        calls: list[Call],
        owner: Function | None = None,
    ) -> None:
        stack: list[ast.AST] = list(reversed(body))
        awaited: set[int] = set()
        pending = self._pending
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self._function(node, cls, prefix)  # type: ignore[arg-type]
                # decorators and defaults run where the def is
                stack.extend(reversed([*node.decorator_list, *node.args.defaults]))  # type: ignore[attr-defined]
                continue
            if kind is ast.ClassDef:
                qual = f"{prefix}.{node.name}" if prefix else node.name  # type: ignore[attr-defined]
                self._scan_body(node.body, qual, qual, calls, owner)  # type: ignore[attr-defined]
                stack.extend(node.decorator_list)  # type: ignore[attr-defined]
                continue
            if kind is ast.Lambda:
                continue
            if kind is ast.Import or kind is ast.ImportFrom:
                self._import(node)  # type: ignore[arg-type]
                continue
            if kind is ast.Constant:
                value = node.value  # type: ignore[attr-defined]
                if type(value) is str and len(value) < 80:
                    self.strings.add(value)
                continue
            if kind is ast.Await or kind is ast.AsyncFor or kind is ast.AsyncWith:
                if owner is not None:
                    owner.awaits = True
                if kind is ast.Await and type(node.value) is ast.Call:  # type: ignore[attr-defined]
                    awaited.add(id(node.value))  # type: ignore[attr-defined]
            elif kind is ast.Call:
                pending.append((calls, node, id(node) in awaited))  # type: ignore[arg-type]
            for field_name in node._fields:
                value = getattr(node, field_name, None)
                if type(value) is list:
                    for item in reversed(value):
                        if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                            stack.append(item)
                elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                    stack.append(value)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: str | None, prefix: str | None
    ) -> None:
        qual = f"{prefix}.{node.name}" if prefix else node.name
        fn = Function(self, qual, node, cls)
        for deco in node.decorator_list:
            self._decorators.append((fn, deco.func if isinstance(deco, ast.Call) else deco))
        self.functions[qual] = fn
        self._scan_body(node.body, None, qual, fn.calls, fn)


# Nodes with nothing below them that the index needs.
_LEAVES = frozenset(
    {
        ast.Name,
        ast.Load,
        ast.Store,
        ast.Del,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.alias,
        ast.arguments,
    }
)


@dataclass(frozen=True)
class AppObject:
    module: Module
    attr: str
    framework: str
    interface: str
    line: int


# A module whose text matches none of these cannot hold what a rule looks for by itself (an
# app, a handler, an `async def`, a pool, a setting, a secret...): it is parsed only when a
# call leads into it or a command names it.
INTERESTING = re.compile(
    r"async |await |[Cc]elery|engine|Client|Session|[Pp]ool|Redis|from_url|thread_limiter"
    r"|cpu_count|on_event|lifespan|FastAPI|Litestar|Starlette|Quart|Flask|_application"
    r"|fastapi|litestar|flask|django|starlette|quart|request"
    r"|@\w+(\.\w+)*\.(get|post|put|patch|delete|head|options|route|api_route|websocket)\("
    r"|@(get|post|put|patch|delete|route|websocket)\(|forwarded|trusted_hosts"
    r"|uvicorn|hypercorn|granian|daphne|run_simple|\.run\(|__main__|alembic|call_command"
    r"|upgrade|acks_late|prefetch|reject_on|visibility|broker|SECRET|PASSW|TOKEN|API_?KEY"
    r"|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|GRACEFUL|WEB_CONCURRENCY|GRANIAN|workers"
    r"|worker_class|bind"
)


class Sources:
    """The repository's non-test Python modules, each parsed once: up front when its text
    can matter to a rule by itself, else on first use."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.modules: dict[tuple[str, str], Module] = {}  # (project root, dotted name)
        self.first: dict[str, Module] = {}  # dotted name -> the module of the first project
        self.by_path: dict[str, Module] = {}
        self.errors: list[tuple[str, int, str]] = []
        self._later: dict[tuple[str, str], str] = {}
        self._later_first: dict[str, str] = {}
        self._later_paths: set[str] = set()
        for rel in repo.python_files:
            if is_test_path(rel):
                continue
            text = repo.text(rel)
            if text is None:
                continue
            if INTERESTING.search(text):
                self._parse(rel, text)
            else:
                root = repo.project_root(rel)
                name, _ = module_name(rel[len(root) + 1 :] if root else rel)
                self._later.setdefault((root, name), rel)
                self._later_first.setdefault(name, rel)
                self._later_paths.add(rel)

    def _parse(self, rel: str, text: str) -> Module | None:
        self._later_paths.discard(rel)
        try:
            tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            self.errors.append((rel, exc.lineno or 1, exc.msg))
            return None
        root = self.repo.project_root(rel)
        name, is_package = module_name(rel[len(root) + 1 :] if root else rel)
        module = Module(rel, name, tree, is_package)
        module.root = root
        self.modules.setdefault((root, name), module)
        self.first.setdefault(name, module)
        self.by_path[rel] = module
        return module

    def _module(self, root: str, dotted: str) -> Module | None:
        found = self.modules.get((root, dotted)) or self.first.get(dotted)
        if found is not None:
            return found
        rel = self._later.get((root, dotted)) or self._later_first.get(dotted)
        return self.module_at(rel) if rel else None

    def module_at(self, rel: str) -> Module | None:
        """The module of a file, parsed now if it was left for later."""
        if rel in self.by_path:
            return self.by_path[rel]
        if rel in self._later_paths:
            text = self.repo.text(rel)
            return self._parse(rel, text) if text is not None else None
        return None

    def functions(self) -> list[Function]:
        return [fn for m in list(self.by_path.values()) for fn in m.functions.values()]

    def all(self) -> list[Module]:
        """The modules parsed so far (every one a rule can find by its text alone)."""
        return list(self.by_path.values())

    def resolve(self, module: Module, call: Call, caller: Function | None) -> Function | None:
        """The repository function a call lands in, when the names say so."""
        name = call.name
        if name.startswith("self.") and caller is not None and caller.cls:
            return module.functions.get(f"{caller.cls}.{name[5:]}")
        if name in module.functions:
            return module.functions[name]
        mod_name, _, func = name.rpartition(".")
        target = self._module(module.root, mod_name)
        if target is not None:
            return target.functions.get(func)
        return None

    @cached_property
    def apps(self) -> list[AppObject]:
        out = []
        for module in self.by_path.values():
            for node in module.tree.body:
                if not (isinstance(node, ast.Assign | ast.AnnAssign) and node.value):
                    continue
                if not isinstance(node.value, ast.Call):
                    continue
                kind = APP_CONSTRUCTORS.get(module.qualify(node.value.func) or "")
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if kind and isinstance(target, ast.Name):
                        out.append(AppObject(module, target.id, *kind, node.lineno))
        return out

    @cached_property
    def frameworks(self) -> set[str]:
        """Frameworks the code imports."""
        found = set()
        for module in self.by_path.values():
            for qual in module.imports.values():
                head = qual.split(".")[0]
                if head in {"fastapi", "litestar", "flask", "django", "starlette", "quart"}:
                    found.add(head)
        return found

    def find_module(self, dotted: str, near: str = "") -> Module | None:
        """The module of that name in the project (pyproject.toml folder) holding ``near``,
        else in any project."""
        return self._module(self.repo.project_root(near) if near else "", dotted)


def module_name(rel: str) -> tuple[str, bool]:
    """`src/pkg/mod.py` -> `pkg.mod`; `pkg/__init__.py` -> `pkg` (a package)."""
    parts = rel[:-3].split("/")
    if "src" in parts[:-1]:  # src layout, also below a monorepo's service folder
        parts = parts[len(parts) - 1 - parts[::-1].index("src") :][1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or "__init__", is_package
