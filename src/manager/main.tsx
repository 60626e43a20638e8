import { render } from "solid-js/web";
import { ManagerApp } from "./manager-app.tsx";
import "./manager.css";

/** The manager view's composition root: compares the registers' replicas with the server. */
const root = document.getElementById("app");
if (root === null) throw new Error("The manager page has no #app element.");
render(() => <ManagerApp />, root);
