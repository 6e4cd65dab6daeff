-- Argo CD health check for antiscraping.io/ScrapingPolicy (argocd-cm:
--   resource.customizations.health.antiscraping.io_ScrapingPolicy: |
--     <this file>
-- ). It reads the operator's conditions: Healthy when Ready=True (the level is in force, or computed in a dry
-- run) and Degraded is not True; Degraded when the spec is invalid, when something the policy asks is not in force
-- (Degraded=True: a conflict, missing metrics, a part the data plane cannot express, a failed write, a data plane
-- not installed), when it selects no target, or when it is in force but its client addresses are suspect
-- (Ready=True and Degraded=True: an address above the offender bar stands for many clients, a proxy or a node, so a
-- ban would hit everyone behind it); Progressing while the operator has not evaluated the latest spec yet or the
-- data plane has not accepted what was written.
local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator's first evaluation"
  return hs
end
if obj.metadata ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to evaluate generation " .. tostring(obj.metadata.generation)
  return hs
end
local c = {}
for _, condition in ipairs(obj.status.conditions) do
  c[condition.type] = condition
end
local function is(type, status)
  return c[type] ~= nil and c[type].status == status
end
local function say(type)
  return type .. " (" .. (c[type].reason or "") .. "): " .. (c[type].message or "")
end
if is("Invalid", "True") then
  hs.status = "Degraded"
  hs.message = say("Invalid")
elseif is("Ready", "True") and is("Degraded", "True") then
  hs.status = "Degraded"
  hs.message = say("Degraded")
elseif is("Ready", "True") then
  hs.status = "Healthy"
  hs.message = c.Ready.message or ""
elseif is("Conflict", "True") then
  hs.status = "Degraded"
  hs.message = say("Conflict")
elseif is("MetricsAvailable", "False") then
  hs.status = "Degraded"
  hs.message = say("MetricsAvailable")
elseif c.Enforced ~= nil and c.Enforced.reason == "NotAccepted" then
  hs.status = "Progressing"
  hs.message = say("Enforced")
elseif is("Enforced", "False") then
  hs.status = "Degraded"
  hs.message = say("Enforced")
else
  hs.status = "Progressing"
  hs.message = c.Ready ~= nil and say("Ready") or "Waiting for the Ready condition"
end
return hs
